-- Build versions remember the image they produced and where their build log is kept.
ALTER TABLE "build_versions" ADD COLUMN "Image" TEXT NULL;
ALTER TABLE "build_versions" ADD COLUMN "LogKey" TEXT NULL;
