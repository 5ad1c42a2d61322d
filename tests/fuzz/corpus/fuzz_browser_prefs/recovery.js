pref("a" 1)
pref("b", "x;y" junk; pref("c", 3);
defaultPref("d", 1);
lockPref("e", true);
