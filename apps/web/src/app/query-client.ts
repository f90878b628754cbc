import { QueryClient } from '@tanstack/react-query';
import { isApiError } from '../api/client';

/** The console's one cache: shared by the pages and by the routes' prefetches. */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // A 4xx will not change by asking again; network failures and 5xx get two more tries.
      retry: (failures, error) => failures < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: true,
    },
  },
});
