-- 0001: the whole data model (projects, builds, models, datasets, trainings, model versions, deployments, credentials).
CREATE TABLE "credentials" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_credentials" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "Owner" TEXT NOT NULL,
    "Desc" TEXT NULL,
    "Uri" TEXT NULL,
    "ProtectedSecret" TEXT NULL,
    "Details" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL
);

CREATE TABLE "models" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_models" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Desc" TEXT NULL,
    "ModelFiles" TEXT NOT NULL,
    "DataFiles" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL
);

CREATE TABLE "projects" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_projects" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Desc" TEXT NULL,
    "HomeDir" TEXT NULL,
    "GitRepo" TEXT NULL,
    "DockerRepo" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL
);

CREATE TABLE "datasets" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_datasets" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "ModelId" INTEGER NOT NULL,
    "Stored" INTEGER NOT NULL,
    "Compressed" INTEGER NOT NULL,
    "Details" TEXT NOT NULL,
    "Files" TEXT NOT NULL,
    "Archive" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_datasets_models_ModelId" FOREIGN KEY ("ModelId") REFERENCES "models" ("Id") ON DELETE CASCADE
);

CREATE TABLE "build_versions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_build_versions" PRIMARY KEY AUTOINCREMENT,
    "Tag" TEXT NOT NULL,
    "ProjectId" INTEGER NOT NULL,
    "DockerId" TEXT NULL,
    "GitVersion" TEXT NULL,
    "BuiltAt" TEXT NOT NULL,
    "BuiltFrom" TEXT NOT NULL,
    CONSTRAINT "FK_build_versions_projects_ProjectId" FOREIGN KEY ("ProjectId") REFERENCES "projects" ("Id") ON DELETE CASCADE
);

CREATE TABLE "project_models" (
    "ModelId" INTEGER NOT NULL,
    "ProjectId" INTEGER NOT NULL,
    CONSTRAINT "PK_project_models" PRIMARY KEY ("ModelId", "ProjectId"),
    CONSTRAINT "FK_project_models_models_ModelId" FOREIGN KEY ("ModelId") REFERENCES "models" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_project_models_projects_ProjectId" FOREIGN KEY ("ProjectId") REFERENCES "projects" ("Id") ON DELETE CASCADE
);

CREATE TABLE "trainings" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_trainings" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "ProjectId" INTEGER NOT NULL,
    "BuildVersionId" INTEGER NULL,
    "BuildTag" TEXT NULL,
    "Notebook" TEXT NOT NULL,
    "Parameters" TEXT NOT NULL,
    "Details" TEXT NOT NULL,
    "ResourceProfile" TEXT NULL,
    "Datasets" TEXT NOT NULL,
    "Env" TEXT NOT NULL,
    "Metrics" TEXT NOT NULL,
    "Failure" TEXT NULL,
    "Manager" TEXT NULL,
    "WorkloadId" TEXT NULL,
    "TaskTokenHash" TEXT NULL,
    "CancelRequested" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "Task_Message" TEXT NULL,
    "Task_Progress" REAL NOT NULL,
    "Task_StartTime" TEXT NULL,
    "Task_State" TEXT NOT NULL,
    "Task_UpdateTime" TEXT NULL,
    CONSTRAINT "FK_trainings_build_versions_BuildVersionId" FOREIGN KEY ("BuildVersionId") REFERENCES "build_versions" ("Id") ON DELETE SET NULL,
    CONSTRAINT "FK_trainings_projects_ProjectId" FOREIGN KEY ("ProjectId") REFERENCES "projects" ("Id") ON DELETE CASCADE
);

CREATE TABLE "model_versions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_model_versions" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "ModelId" INTEGER NOT NULL,
    "TrainingId" INTEGER NULL,
    "TrainingName" TEXT NULL,
    "DatasetId" INTEGER NULL,
    "DatasetName" TEXT NULL,
    "PretrainedId" INTEGER NULL,
    "Details" TEXT NOT NULL,
    "Compressed" INTEGER NOT NULL,
    "Files" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_model_versions_datasets_DatasetId" FOREIGN KEY ("DatasetId") REFERENCES "datasets" ("Id") ON DELETE SET NULL,
    CONSTRAINT "FK_model_versions_model_versions_PretrainedId" FOREIGN KEY ("PretrainedId") REFERENCES "model_versions" ("Id") ON DELETE SET NULL,
    CONSTRAINT "FK_model_versions_models_ModelId" FOREIGN KEY ("ModelId") REFERENCES "models" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_model_versions_trainings_TrainingId" FOREIGN KEY ("TrainingId") REFERENCES "trainings" ("Id") ON DELETE SET NULL
);

CREATE TABLE "deployments" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_deployments" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "ProjectId" INTEGER NOT NULL,
    "ModelVersionId" INTEGER NULL,
    "BuildVersionId" INTEGER NULL,
    "Notebook" TEXT NOT NULL,
    "Replicas" INTEGER NOT NULL,
    "Details" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "Task_Message" TEXT NULL,
    "Task_Progress" REAL NOT NULL,
    "Task_StartTime" TEXT NULL,
    "Task_State" TEXT NOT NULL,
    "Task_UpdateTime" TEXT NULL,
    CONSTRAINT "FK_deployments_build_versions_BuildVersionId" FOREIGN KEY ("BuildVersionId") REFERENCES "build_versions" ("Id") ON DELETE SET NULL,
    CONSTRAINT "FK_deployments_model_versions_ModelVersionId" FOREIGN KEY ("ModelVersionId") REFERENCES "model_versions" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_deployments_projects_ProjectId" FOREIGN KEY ("ProjectId") REFERENCES "projects" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_build_versions_ProjectId_Tag" ON "build_versions" ("ProjectId", "Tag");

CREATE UNIQUE INDEX "IX_credentials_Name" ON "credentials" ("Name");

CREATE UNIQUE INDEX "IX_datasets_ModelId_Name" ON "datasets" ("ModelId", "Name");

CREATE INDEX "IX_deployments_BuildVersionId" ON "deployments" ("BuildVersionId");

CREATE INDEX "IX_deployments_ModelVersionId" ON "deployments" ("ModelVersionId");

CREATE UNIQUE INDEX "IX_deployments_Name" ON "deployments" ("Name");

CREATE INDEX "IX_deployments_ProjectId" ON "deployments" ("ProjectId");

CREATE INDEX "IX_model_versions_DatasetId" ON "model_versions" ("DatasetId");

CREATE UNIQUE INDEX "IX_model_versions_ModelId_Name" ON "model_versions" ("ModelId", "Name");

CREATE INDEX "IX_model_versions_PretrainedId" ON "model_versions" ("PretrainedId");

CREATE INDEX "IX_model_versions_TrainingId" ON "model_versions" ("TrainingId");

CREATE UNIQUE INDEX "IX_models_Name" ON "models" ("Name");

CREATE INDEX "IX_project_models_ProjectId" ON "project_models" ("ProjectId");

CREATE UNIQUE INDEX "IX_projects_Name" ON "projects" ("Name");

CREATE INDEX "IX_trainings_BuildVersionId" ON "trainings" ("BuildVersionId");

CREATE UNIQUE INDEX "IX_trainings_ProjectId_Name" ON "trainings" ("ProjectId", "Name");

CREATE INDEX "IX_trainings_TaskTokenHash" ON "trainings" ("TaskTokenHash");

