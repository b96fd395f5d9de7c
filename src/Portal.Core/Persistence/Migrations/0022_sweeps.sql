-- Sweeps: a search over a notebook's parameters, one training per trial; trials point at their sweep.
CREATE TABLE "sweeps" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_sweeps" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "ProjectId" INTEGER NOT NULL CONSTRAINT "FK_sweeps_projects_ProjectId" REFERENCES "projects" ("Id") ON DELETE CASCADE,
    "Template" TEXT NOT NULL,
    "Spec" TEXT NOT NULL,
    "Method" TEXT NOT NULL,
    "Trials" TEXT NOT NULL,
    "MaxParallel" INTEGER NOT NULL,
    "Objective" TEXT NOT NULL,
    "Direction" TEXT NOT NULL,
    "Target" REAL NULL,
    "Launched" INTEGER NOT NULL,
    "State" TEXT NOT NULL,
    "Message" TEXT NULL,
    "BestTrainingId" INTEGER NULL,
    "BestTrainingName" TEXT NULL,
    "BestValue" REAL NULL,
    "Owner" TEXT NOT NULL,
    "OwnerRoles" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "EndedAt" TEXT NULL
);
CREATE UNIQUE INDEX "IX_sweeps_ProjectId_Name" ON "sweeps" ("ProjectId", "Name");
CREATE INDEX "IX_sweeps_State" ON "sweeps" ("State");

ALTER TABLE "trainings" ADD COLUMN "SweepId" INTEGER NULL CONSTRAINT "FK_trainings_sweeps_SweepId" REFERENCES "sweeps" ("Id") ON DELETE SET NULL;
CREATE INDEX "IX_trainings_SweepId" ON "trainings" ("SweepId");
