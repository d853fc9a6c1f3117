"""Files for paper and for the township: PDFs and workbooks. No Qt here."""
