"""Reading a criteria table (the project's JSON, or a province's .xlsx workbook) into rows, validating them all,
and working out what an import would change. Writing happens in campaign.services.criteria_import."""
