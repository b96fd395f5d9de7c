-- A value every browser session of a user carries; changing it (sign-out, password change, role change, disabling)
-- ends all of that user's sessions at once.
ALTER TABLE "users" ADD COLUMN "SecurityStamp" TEXT NOT NULL DEFAULT '';
