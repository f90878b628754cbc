import { SetMetadata } from '@nestjs/common';
import type { Role } from '@mooring/platform';

export const ROUTE_ACCESS = 'mooring:route-access';

/** Who may call a route. Every route must declare it; the api refuses to boot otherwise. */
export type RouteAccess = { readonly kind: 'public' } | { readonly kind: 'role'; readonly role: Role };

/** Callable without a token (token exchange, health). */
export const PublicRoute = () => SetMetadata(ROUTE_ACCESS, { kind: 'public' } satisfies RouteAccess);

/** Callable with a token whose role is at least `role` (member < moderator < admin). */
export const Allow = (role: Role) => SetMetadata(ROUTE_ACCESS, { kind: 'role', role } satisfies RouteAccess);
