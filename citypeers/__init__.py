"""CityPeers: decentralised cooperation and peer learning between cities and regions."""
