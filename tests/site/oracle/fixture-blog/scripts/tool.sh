echo excluded
