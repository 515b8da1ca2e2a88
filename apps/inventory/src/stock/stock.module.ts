import { Module } from '@nestjs/common';
import { ReorderPointsController } from './reorder-points.controller';
import { ReorderPoints } from './reorder-points';
import { StockController } from './stock.controller';
import { StockService } from './stock.service';

@Module({
  controllers: [StockController, ReorderPointsController],
  providers: [StockService, ReorderPoints],
  exports: [StockService],
})
export class StockModule {}
