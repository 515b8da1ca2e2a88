import { acceptsSource, Topics } from './topics';

describe('acceptsSource', () => {
  it('takes an internal topic only from the service that writes it', () => {
    expect(acceptsSource(Topics.ordersEvents, '/fil/orders')).toBe(true);
    expect(acceptsSource(Topics.inventoryEvents, '/fil/inventory')).toBe(true);
    for (const source of ['/fil/test', '', '/fil/inventory', '/channels/web']) {
      expect(acceptsSource(Topics.ordersEvents, source)).toBe(false);
    }
  });

  it('takes an input topic from any channel, or none, but not from a Fil service that does not write it', () => {
    for (const source of ['/channels/web', '/fil/test', '']) expect(acceptsSource(Topics.ordersSubmitted, source)).toBe(true);
    expect(acceptsSource(Topics.ordersSubmitted, '/fil/inventory')).toBe(false);
    expect(acceptsSource(Topics.ordersSubmitted, '/fil/orders')).toBe(false);
  });

  it('takes an input topic that a service also writes from both', () => {
    expect(acceptsSource(Topics.inventoryAdjustments, '/pos')).toBe(true);
    expect(acceptsSource(Topics.inventoryAdjustments, '/fil/returns')).toBe(true);
    expect(acceptsSource(Topics.inventoryAdjustments, '/fil/fulfillment')).toBe(true);
    expect(acceptsSource(Topics.inventoryAdjustments, '/fil/orders')).toBe(false);
  });

  it('takes nothing on a topic the contract does not know', () => {
    expect(acceptsSource('fil.unknown.v1', '/channels/web')).toBe(false);
  });
});
