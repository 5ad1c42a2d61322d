// x
pref("media.peerconnection.enabled", false);
lockPref("permissions.default.camera", 2);
/* y */ pref('a', "s\"t", sticky);
# z
