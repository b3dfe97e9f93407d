delete from ops.bookmarks where source = :source
