"""Checking partner data: row checks, cross-table checks, pandera schemas, the impact map, and the
validation of one partner's workbook or CSV folder."""
