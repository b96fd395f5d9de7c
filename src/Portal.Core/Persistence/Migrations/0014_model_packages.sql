-- Model packages (Odahu's ModelPackaging): a model version and the project's prediction code made into an image, rest or cli.
CREATE TABLE "model_packages" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_model_packages" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "ModelVersionId" INTEGER NULL,
    "VersionRef" TEXT NOT NULL,
    "ProjectId" INTEGER NULL,
    "ProjectName" TEXT NOT NULL,
    "BuildTag" TEXT NULL,
    "Entry" TEXT NOT NULL,
    "Image" TEXT NOT NULL,
    "ImageId" TEXT NULL,
    "LogKey" TEXT NOT NULL,
    "CreatedBy" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "Task_EngineUnreachableSince" TEXT NULL,
    "Task_Message" TEXT NULL,
    "Task_Progress" REAL NOT NULL,
    "Task_StartTime" TEXT NULL,
    "Task_State" TEXT NOT NULL,
    "Task_UpdateTime" TEXT NULL,
    CONSTRAINT "FK_model_packages_projects_ProjectId" FOREIGN KEY ("ProjectId") REFERENCES "projects" ("Id") ON DELETE SET NULL,
    CONSTRAINT "FK_model_packages_model_versions_ModelVersionId" FOREIGN KEY ("ModelVersionId") REFERENCES "model_versions" ("Id") ON DELETE SET NULL
);

CREATE INDEX "IX_model_packages_ModelVersionId" ON "model_packages" ("ModelVersionId");
CREATE UNIQUE INDEX "IX_model_packages_Name" ON "model_packages" ("Name");
CREATE INDEX "IX_model_packages_ProjectId" ON "model_packages" ("ProjectId");
