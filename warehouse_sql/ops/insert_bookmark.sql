insert into ops.bookmarks (source, bookmark, updated_at) values (:source, :bookmark, :updated_at)
