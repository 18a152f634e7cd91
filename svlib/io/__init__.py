"""Files in and out: .xlsx and CSV reading with their safety limits, and the partner workbook writer."""
