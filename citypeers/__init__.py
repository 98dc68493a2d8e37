"""CityPeers: decentralised cooperation and peer learning between cities, regions and associations."""
