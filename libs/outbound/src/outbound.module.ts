import { Module, type DynamicModule } from '@nestjs/common';
import { OUTBOUND_OPTIONS, OutboundHttp, type OutboundOptions } from './outbound-http.js';

@Module({})
export class OutboundModule {
  static forRoot(options: OutboundOptions): DynamicModule {
    return {
      module: OutboundModule,
      global: true,
      providers: [{ provide: OUTBOUND_OPTIONS, useValue: options }, OutboundHttp],
      exports: [OutboundHttp],
    };
  }
}
