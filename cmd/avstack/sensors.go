package main

// The sensor nodes register their kinds in init(): "camera", "lidar", "kitti", "vehicle-state", "tf".
import (
	_ "github.com/avstack/avstack/sensors/camera"
	_ "github.com/avstack/avstack/sensors/kittiplay"
	_ "github.com/avstack/avstack/sensors/lidar"
	_ "github.com/avstack/avstack/sensors/mount"
	_ "github.com/avstack/avstack/sensors/vehiclestate"
)
