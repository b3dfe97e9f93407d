select bookmark from ops.bookmarks where source = :source
