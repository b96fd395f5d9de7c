-- Batch jobs (ODAHU's batch inference) run as trainings of their own kind; the dataset their predictions became is kept.
ALTER TABLE trainings ADD COLUMN "Kind" text NOT NULL DEFAULT 'Notebook';
ALTER TABLE trainings ADD COLUMN "ScoredDatasetId" bigint NULL;
ALTER TABLE trainings ADD CONSTRAINT "FK_trainings_datasets_ScoredDatasetId" FOREIGN KEY ("ScoredDatasetId") REFERENCES datasets ("Id") ON DELETE SET NULL;
CREATE INDEX "IX_trainings_ScoredDatasetId" ON trainings ("ScoredDatasetId");

-- Routes may keep a caller on one target by a field of the JSON body.
ALTER TABLE model_routes ADD COLUMN "StickyKey" text;
