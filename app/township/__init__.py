"""The township's desk: checking the bundles its branches send (`verify`), summing many of them
into one workbook (`aggregate`; the workbook itself is `app.reports.township_xlsx`)."""
