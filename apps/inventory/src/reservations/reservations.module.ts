import { Module } from '@nestjs/common';
import { AdjustmentsModule } from '../adjustments/adjustments.module';
import { StockModule } from '../stock/stock.module';
import { ExpiryService } from './expiry.service';
import { ReservationsController } from './reservations.controller';
import { ReservationsService } from './reservations.service';

@Module({
  imports: [StockModule, AdjustmentsModule],
  controllers: [ReservationsController],
  providers: [ReservationsService, ExpiryService],
})
export class ReservationsModule {}
