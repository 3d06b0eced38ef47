-- 0005: the audit says which save wrote each row. version is the article's
-- version right after the change that wrote the row (db/audit.go fills it
-- from the articles row in the same transaction), so the rows of one save
-- share it and an undo can name the change it reverses: "the change that
-- made version 7". An import's rename does not raise the version: its rows
-- carry the version they found, under the actor "import".
--
-- Rows written before this migration keep NULL: their saves cannot be told
-- apart reliably, so the history shows them but offers no undo for them.
ALTER TABLE audit ADD COLUMN version INTEGER;
