-- The role names for the scripts of this folder, as transaction-local settings: role names
-- are identifiers, so the scripts read them with current_setting() and quote them with
-- format('%I'), and the names themselves travel as bound values.
select set_config('lmis.loader_role', :loader_role, true),
       set_config('lmis.reader_role', :reader_role, true)
