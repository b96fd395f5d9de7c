-- Extra host folders a training mounts (JSON list of {source, target, read_only}).
ALTER TABLE "trainings" ADD COLUMN "Mounts" TEXT NOT NULL DEFAULT '[]';
