-- Identity and access: local and provider accounts, personal access tokens, the append-only audit log.
CREATE TABLE "users" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_users" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "DisplayName" TEXT NULL,
    "Email" TEXT NULL,
    "Roles" TEXT NOT NULL DEFAULT '[]',
    "Source" TEXT NOT NULL,
    "PasswordHash" TEXT NULL,
    "MustChangePassword" INTEGER NOT NULL,
    "Disabled" INTEGER NOT NULL,
    "FailedSignIns" INTEGER NOT NULL,
    "LockedUntil" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "LastSignInAt" TEXT NULL
);
CREATE UNIQUE INDEX "IX_users_Name" ON "users" ("Name");

CREATE TABLE "access_tokens" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_access_tokens" PRIMARY KEY AUTOINCREMENT,
    "UserId" INTEGER NOT NULL,
    "Name" TEXT NOT NULL,
    "Prefix" TEXT NOT NULL,
    "Hash" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "ExpiresAt" TEXT NULL,
    "RevokedAt" TEXT NULL,
    "LastUsedAt" TEXT NULL,
    CONSTRAINT "FK_access_tokens_users_UserId" FOREIGN KEY ("UserId") REFERENCES "users" ("Id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "IX_access_tokens_Hash" ON "access_tokens" ("Hash");
CREATE UNIQUE INDEX "IX_access_tokens_UserId_Name" ON "access_tokens" ("UserId", "Name");

CREATE TABLE "audit_events" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_audit_events" PRIMARY KEY AUTOINCREMENT,
    "At" TEXT NOT NULL,
    "Actor" TEXT NOT NULL,
    "Action" TEXT NOT NULL,
    "Target" TEXT NULL,
    "Outcome" TEXT NOT NULL,
    "Address" TEXT NULL,
    "Detail" TEXT NULL
);
CREATE INDEX "IX_audit_events_At" ON "audit_events" ("At");
CREATE INDEX "IX_audit_events_Actor" ON "audit_events" ("Actor");

-- Append-only: the database itself refuses to change or remove an audit row.
CREATE TRIGGER "audit_events_no_update" BEFORE UPDATE ON "audit_events"
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER "audit_events_no_delete" BEFORE DELETE ON "audit_events"
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
