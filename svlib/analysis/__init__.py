"""Research across partners: themes, scoping, distance travelled, evidence and consent, small-number
suppression, proxy research and the assurance checklist."""
