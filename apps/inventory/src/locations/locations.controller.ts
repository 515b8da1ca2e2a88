import { BadRequestException, Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, ROLES } from '@fil/auth';
import { IdParam } from '@fil/platform';
import { LocationView } from './dto/location.view';
import { UpsertLocationDto } from './dto/upsert-location.dto';
import { LocationsService } from './locations.service';

@ApiTags('locations')
@Controller('locations')
export class LocationsController {
  constructor(private readonly locations: LocationsService) {}

  @Put(':id')
  @Access('admin', 'ops')
  @ApiOperation({ summary: 'Create or replace a warehouse or store' })
  @ApiResponse({ status: 200, type: LocationView })
  @ApiResponse({ status: 400, description: 'Says which field is wrong, or that the id in the body is not the path\'s' })
  // Location ids travel in Kafka keys as `locationId:sku`, hence the same token rule as the contract.
  async upsert(@IdParam('id') id: string, @Body() body: UpsertLocationDto): Promise<LocationView> {
    if (body.id !== undefined && body.id !== id) throw new BadRequestException(`id in the body (${body.id}) is not the id in the path (${id})`);
    return LocationView.of(await this.locations.upsert(id, body));
  }

  @Get()
  @Access(...ROLES)
  @ApiOperation({ summary: 'Every location, by id' })
  @ApiResponse({ status: 200, type: [LocationView] })
  async list(): Promise<LocationView[]> {
    return (await this.locations.list()).map(LocationView.of);
  }

  @Get(':id')
  @Access(...ROLES)
  @ApiOperation({ summary: 'One location' })
  @ApiResponse({ status: 200, type: LocationView })
  @ApiResponse({ status: 404, description: 'Unknown location' })
  async get(@IdParam('id') id: string): Promise<LocationView> {
    return LocationView.of(await this.locations.get(id));
  }
}
