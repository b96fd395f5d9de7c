-- Metrics over steps: each value a training reports with portal_toolkit.log_metric is a point of its metric's series.
CREATE TABLE "metric_points" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_metric_points" PRIMARY KEY AUTOINCREMENT,
    "TrainingId" INTEGER NOT NULL CONSTRAINT "FK_metric_points_trainings_TrainingId" REFERENCES "trainings" ("Id") ON DELETE CASCADE,
    "Name" TEXT NOT NULL,
    "Step" INTEGER NOT NULL,
    "Value" REAL NOT NULL,
    "At" TEXT NOT NULL
);
CREATE INDEX "IX_metric_points_TrainingId_Name_Step" ON "metric_points" ("TrainingId", "Name", "Step");
