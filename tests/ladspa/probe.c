/* probe - a minimal LADSPA host that prints what a plugin reports on its
 * "latency" output port at a sample rate, for tests/ladspa/check-hosts.sh:
 *
 *   probe PLUGIN.so LABEL RATE      prints the latency in samples
 *
 * It instantiates, activates and runs one block of silence, as hosts do. */
#include <dlfcn.h>
#include <ladspa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	LADSPA_Descriptor_Function fn;
	const LADSPA_Descriptor *d = NULL;
	LADSPA_Data audio[8][64], ctl[16], latency = -1;
	LADSPA_Handle h;
	void *lib;
	int lat_port = -1, na = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: probe PLUGIN.so LABEL RATE\n");
		return 2;
	}
	if (!(lib = dlopen(argv[1], RTLD_NOW)) ||
	    !(fn = (LADSPA_Descriptor_Function)(size_t)dlsym(lib, "ladspa_descriptor"))) {
		fprintf(stderr, "probe: %s\n", dlerror());
		return 2;
	}
	for (unsigned long i = 0; (d = fn(i)) && strcmp(d->Label, argv[2]); i++)
		;
	if (!d || d->PortCount > 16) {
		fprintf(stderr, "probe: no plugin labelled %s in %s\n", argv[2], argv[1]);
		return 2;
	}
	if (!(h = d->instantiate(d, strtoul(argv[3], NULL, 10))))
		return 1;   /* the plugin said why */
	memset(audio, 0, sizeof audio);
	memset(ctl, 0, sizeof ctl);
	for (unsigned long p = 0; p < d->PortCount; p++) {
		LADSPA_PortDescriptor pd = d->PortDescriptors[p];
		if (LADSPA_IS_PORT_AUDIO(pd))
			d->connect_port(h, p, audio[na++ % 8]);
		else if (LADSPA_IS_PORT_OUTPUT(pd) && !strcmp(d->PortNames[p], "latency"))
			d->connect_port(h, p, &latency), lat_port = (int)p;
		else
			d->connect_port(h, p, &ctl[p]);
	}
	if (lat_port < 0) {
		fprintf(stderr, "probe: %s has no latency output port\n", argv[2]);
		return 1;
	}
	if (d->activate)
		d->activate(h);
	d->run(h, 64);
	printf("%.0f\n", latency);
	if (d->deactivate)
		d->deactivate(h);
	d->cleanup(h);
	dlclose(lib);    /* the plugin stays loaded (-z nodelete): no leak either way */
	return 0;
}
