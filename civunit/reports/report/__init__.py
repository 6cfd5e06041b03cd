"""The report to the municipal civilization office (市文明办): its content (content.py, shared by every format),
the PDF in the official layout (pdf.py) and the Word copy (docx.py)."""
