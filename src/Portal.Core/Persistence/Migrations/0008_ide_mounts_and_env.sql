-- IDE sessions: model versions mounted, the project mounted for editing, environment variables.
ALTER TABLE "ide_sessions" ADD COLUMN "ModelVersions" TEXT NOT NULL DEFAULT '[]';
ALTER TABLE "ide_sessions" ADD COLUMN "EditProject" TEXT NULL;
ALTER TABLE "ide_sessions" ADD COLUMN "Env" TEXT NOT NULL DEFAULT '{}';
