-- Deployments: environment, port, env, resource profile, served version name, manager and workload id.
ALTER TABLE "deployments" ADD COLUMN "Environment" TEXT NOT NULL DEFAULT 'dev';
ALTER TABLE "deployments" ADD COLUMN "Port" INTEGER NOT NULL DEFAULT 8080;
ALTER TABLE "deployments" ADD COLUMN "Env" TEXT NOT NULL DEFAULT '{}';
ALTER TABLE "deployments" ADD COLUMN "ResourceProfile" TEXT NULL;
ALTER TABLE "deployments" ADD COLUMN "ModelVersionName" TEXT NULL;
ALTER TABLE "deployments" ADD COLUMN "Manager" TEXT NULL;
ALTER TABLE "deployments" ADD COLUMN "WorkloadId" TEXT NULL;

-- Requests through the router, with feedback attached later by Request-ID.
CREATE TABLE "predictions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_predictions" PRIMARY KEY AUTOINCREMENT,
    "DeploymentId" INTEGER NOT NULL,
    "RequestId" TEXT NOT NULL,
    "Path" TEXT NOT NULL,
    "At" TEXT NOT NULL,
    "LatencyMs" REAL NOT NULL,
    "Status" INTEGER NOT NULL,
    "ModelVersion" TEXT NULL,
    "Replica" TEXT NULL,
    "Request" TEXT NULL,
    "Response" TEXT NULL,
    "Feedback" TEXT NULL,
    "FeedbackAt" TEXT NULL,
    CONSTRAINT "FK_predictions_deployments_DeploymentId" FOREIGN KEY ("DeploymentId") REFERENCES "deployments" ("Id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "IX_predictions_RequestId" ON "predictions" ("RequestId");
CREATE INDEX "IX_predictions_DeploymentId_At" ON "predictions" ("DeploymentId", "At");
