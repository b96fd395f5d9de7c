-- Model versions: the build they were trained with, their archive when compressed, and their promotions.
ALTER TABLE "model_versions" ADD COLUMN "BuildVersionId" INTEGER NULL CONSTRAINT "FK_model_versions_build_versions_BuildVersionId" REFERENCES "build_versions" ("Id") ON DELETE SET NULL;
ALTER TABLE "model_versions" ADD COLUMN "Archive" TEXT NULL;
ALTER TABLE "model_versions" ADD COLUMN "Promotions" TEXT NOT NULL DEFAULT '[]';
CREATE INDEX "IX_model_versions_BuildVersionId" ON "model_versions" ("BuildVersionId");
