-- The model version a training starts from, and its name as it was.
ALTER TABLE "trainings" ADD COLUMN "PretrainedId" INTEGER NULL CONSTRAINT "FK_trainings_model_versions_PretrainedId" REFERENCES "model_versions" ("Id") ON DELETE SET NULL;
ALTER TABLE "trainings" ADD COLUMN "PretrainedName" TEXT NULL;
CREATE INDEX "IX_trainings_PretrainedId" ON "trainings" ("PretrainedId");
