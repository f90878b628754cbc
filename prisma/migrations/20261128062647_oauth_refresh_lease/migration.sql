-- A token refresh holds a lease (who, until when) instead of a row lock held across the provider's answer.
-- AlterTable
ALTER TABLE "installation_credentials" ADD COLUMN     "refresh_lease_id" UUID,
ADD COLUMN     "refresh_lease_until" TIMESTAMPTZ(3);
