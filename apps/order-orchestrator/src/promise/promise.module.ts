import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module';
import { StockModule } from '../stock/stock.module';
import { PromiseController } from './promise.controller';
import { PromiseService } from './promise.service';

@Module({
  imports: [StockModule, RoutingModule],
  controllers: [PromiseController],
  providers: [PromiseService],
})
export class PromiseModule {}
