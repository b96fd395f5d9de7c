-- The toolkit's id of one publish call: a publish sent again after a lost answer finds the version it made instead of
-- making a second one. Unique per training (NULL, for versions uploaded by hand, never collides in SQLite).
ALTER TABLE "model_versions" ADD COLUMN "PublishId" TEXT NULL;
CREATE UNIQUE INDEX "IX_model_versions_TrainingId_PublishId" ON "model_versions" ("TrainingId", "PublishId");
-- The new index starts with TrainingId, so it serves the foreign key's lookups too (as the EF model has it).
DROP INDEX "IX_model_versions_TrainingId";
