-- The personal access token an IDE session's notebooks use, revoked when the session stops.
ALTER TABLE "ide_sessions" ADD COLUMN "AccessTokenId" INTEGER NULL;
