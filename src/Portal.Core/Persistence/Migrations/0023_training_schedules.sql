-- Schedules: a training launched on a cron schedule; each run points at the schedule that launched it.
CREATE TABLE "training_schedules" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_training_schedules" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "ProjectId" INTEGER NOT NULL CONSTRAINT "FK_training_schedules_projects_ProjectId" REFERENCES "projects" ("Id") ON DELETE CASCADE,
    "Cron" TEXT NOT NULL,
    "TimeZone" TEXT NOT NULL,
    "Template" TEXT NOT NULL,
    "NewestDatasetOf" TEXT NULL,
    "AllowOverlap" INTEGER NOT NULL,
    "Paused" INTEGER NOT NULL,
    "NextRunAt" TEXT NULL,
    "LastRunAt" TEXT NULL,
    "LastTrainingId" INTEGER NULL,
    "History" TEXT NOT NULL,
    "Owner" TEXT NOT NULL,
    "OwnerRoles" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL
);
CREATE UNIQUE INDEX "IX_training_schedules_ProjectId_Name" ON "training_schedules" ("ProjectId", "Name");

ALTER TABLE "trainings" ADD COLUMN "ScheduleId" INTEGER NULL CONSTRAINT "FK_trainings_training_schedules_ScheduleId" REFERENCES "training_schedules" ("Id") ON DELETE SET NULL;
CREATE INDEX "IX_trainings_ScheduleId" ON "trainings" ("ScheduleId");
