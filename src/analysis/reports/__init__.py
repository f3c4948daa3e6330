"""Stage 3, reports: the parameterized notebooks rendered for readers.

``batch`` plans, caches and runs the reports and writes the index; ``show`` is what the
notebooks call to read their data and put it on the page safely; ``plots`` draws the charts
(``fonts`` finds a CJK font once); ``export`` writes the workbook and CSV files.
"""
