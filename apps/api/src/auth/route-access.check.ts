import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ROUTE_ACCESS } from './route-access.decorator.js';

/**
 * Boot-time scan: every route handler must say who may call it (@PublicRoute or @Allow).
 * A route without a decision stops the api from starting, naming the route.
 */
@Injectable()
export class RouteAccessCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const undecided = this.routesWithoutAccess();
    if (undecided.length) {
      throw new Error(`Routes without an access decision (@PublicRoute or @Allow): ${undecided.join(', ')}`);
    }
  }

  routesWithoutAccess(): string[] {
    const undecided: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as object | undefined;
      const metatype = wrapper.metatype;
      if (!instance || !metatype) continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[method];
        if (typeof handler !== 'function' || this.reflector.get<unknown>(PATH_METADATA, handler) === undefined) continue;
        const access = this.reflector.getAllAndOverride<unknown>(ROUTE_ACCESS, [handler, metatype]);
        if (!access) undecided.push(`${metatype.name}.${method}`);
      }
    }
    return undecided;
  }
}
