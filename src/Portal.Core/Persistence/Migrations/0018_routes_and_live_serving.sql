-- Serving beyond the meshes: routes over deployments (weights, sticky header, shadow), scale to zero, live accuracy.
CREATE TABLE "model_routes" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_model_routes" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Targets" TEXT NOT NULL,
    "Shadow" TEXT NULL,
    "StickyHeader" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL
);
CREATE UNIQUE INDEX "IX_model_routes_Name" ON "model_routes" ("Name");

ALTER TABLE "models" ADD COLUMN "Kind" TEXT NULL;

ALTER TABLE "deployments" ADD COLUMN "IdleMinutes" REAL NULL;
ALTER TABLE "deployments" ADD COLUMN "Sleeping" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "deployments" ADD COLUMN "ColdStartMs" REAL NULL;
ALTER TABLE "deployments" ADD COLUMN "Alert" TEXT NULL;

-- A routed request and its shadow's copy share the caller's Request-ID, so feedback labels both.
ALTER TABLE "predictions" ADD COLUMN "Route" TEXT NULL;
ALTER TABLE "predictions" ADD COLUMN "Shadow" INTEGER NOT NULL DEFAULT 0;
DROP INDEX "IX_predictions_RequestId";
CREATE INDEX "IX_predictions_RequestId" ON "predictions" ("RequestId");
CREATE UNIQUE INDEX "IX_predictions_DeploymentId_RequestId" ON "predictions" ("DeploymentId", "RequestId");
CREATE INDEX "IX_predictions_Route_At" ON "predictions" ("Route", "At");
