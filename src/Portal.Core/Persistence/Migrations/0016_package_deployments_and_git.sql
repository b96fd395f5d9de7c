-- A deployment may serve a rest package's image, which holds its version and code.
ALTER TABLE "deployments" ADD COLUMN "PackageId" INTEGER NULL CONSTRAINT "FK_deployments_model_packages_PackageId" REFERENCES "model_packages" ("Id") ON DELETE RESTRICT;

CREATE INDEX "IX_deployments_PackageId" ON "deployments" ("PackageId");

-- Packages whose code was cloned from the project's git repository: the ref asked for and the commit cloned.
ALTER TABLE "model_packages" ADD COLUMN "GitRef" TEXT NULL;
ALTER TABLE "model_packages" ADD COLUMN "GitCommit" TEXT NULL;
