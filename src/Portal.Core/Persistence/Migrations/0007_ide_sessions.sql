-- IDE sessions: a user's Jupyter server, its encrypted token, and where it runs.
CREATE TABLE "ide_sessions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ide_sessions" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "User" TEXT NOT NULL,
    "Image" TEXT NOT NULL,
    "ResourceProfile" TEXT NULL,
    "Datasets" TEXT NOT NULL,
    "ProtectedToken" TEXT NOT NULL,
    "Manager" TEXT NULL,
    "WorkloadId" TEXT NULL,
    "LastActivity" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "Task_Message" TEXT NULL,
    "Task_Progress" REAL NOT NULL,
    "Task_StartTime" TEXT NULL,
    "Task_State" TEXT NOT NULL,
    "Task_UpdateTime" TEXT NULL
);
CREATE UNIQUE INDEX "IX_ide_sessions_User_Name" ON "ide_sessions" ("User", "Name");
