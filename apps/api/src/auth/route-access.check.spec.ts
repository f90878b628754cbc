import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { RouteAccessCheck } from './route-access.check.js';
import { Allow, PublicRoute } from './route-access.decorator.js';

@Controller('checked')
class DecidedController {
  @Get('open')
  @PublicRoute()
  open() {
    return 'ok';
  }

  @Get('admins')
  @Allow('admin')
  admins() {
    return 'ok';
  }
}

@Controller('undecided')
class UndecidedController {
  @Get()
  forgotten() {
    return 'oops';
  }
}

@Allow('member')
@Controller('class-level')
class ClassLevelController {
  @Get()
  inherits() {
    return 'ok';
  }
}

async function boot(controllers: Array<new () => object>) {
  @Module({ imports: [DiscoveryModule], controllers, providers: [RouteAccessCheck] })
  class TestModule {}
  const app = await NestFactory.create(TestModule, { logger: false });
  try {
    await app.init();
  } finally {
    await app.close();
  }
}

describe('RouteAccessCheck', () => {
  it('lets the app boot when every route declares its access', async () => {
    await expect(boot([DecidedController, ClassLevelController])).resolves.toBeUndefined();
  });

  it('stops the app from booting, naming each route without a decision', async () => {
    await expect(boot([DecidedController, UndecidedController])).rejects.toThrow('UndecidedController.forgotten');
  });
});
