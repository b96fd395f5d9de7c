-- The digest a registry gave a pushed package image.
ALTER TABLE "model_packages" ADD COLUMN "Digest" TEXT NULL;
