import { envVar, flag } from '@mooring/platform';

// Configuration of the integrations on offer, composed into the api's and the worker's config.

export const integrationsGroup = {
  fakeEnabled: envVar('INTEGRATIONS_FAKE_ENABLED', flag().default(false), {
    description:
      'Offer the fake tool integration (demo and tests only: it reaches whatever base URL it is given); npm start turns it on',
  }),
};
