"""The evidence forms, one module per part of the archive: upload (caption fields, web links, linking an existing
item), review, versions (editing an item), recycle_bin, activities, browse (the filters); fields holds the choice
fields they share."""
