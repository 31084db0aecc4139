/* ladspa.c - GTCRN speech enhancement as a LADSPA plugin, on libgtcrn.
 *
 * Two plugins in gtcrn_ladspa.so: gtcrn_mono and gtcrn_stereo (one
 * streaming state per channel). The model is read when the host
 * instantiates the plugin, from gtcrn_default_model_path(): $GTCRN_MODEL,
 * else PREFIX/share/gtcrn-run/model.onnx (`make install-model`). Any host
 * rate works: the library resamples to the model's rate and back.
 *
 * Controls: Mix (wet fraction 0..1), Attenuation limit (dB; 100 = none),
 * Bypass (the input, delayed by the same latency: the network keeps running
 * so switching is seamless), VAD gate (dB of attenuation where a Silero VAD
 * finds no speech; 0 = off, the default). Mix and bypass changes ramp over
 * RAMP_MS; the gate glides to a new depth. The output port "latency"
 * reports the delay in samples at the host's rate, under the name sox -l
 * and other hosts look for.
 *
 * The VAD model comes from gtcrn_default_vad_model_path(): $GTCRN_VAD_MODEL,
 * else PREFIX/share/gtcrn-run/vad.onnx (`make install-model VAD_MODEL=F`).
 * When it loads, the gate always runs (at depth 0 it only delays), so the
 * latency stays the same whatever the control says; when there is none,
 * the gate control does nothing and adds no latency.
 *
 * run() is real-time safe: gtcrn_process allocates nothing, takes no lock,
 * does no I/O; everything is made in instantiate(). Only instantiate()
 * prints, to the host's stderr, when the model cannot be used.
 */
#include <ladspa.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "enhance/gtcrn.h"

#define EXPORT __attribute__((visibility("default")))

#define ID_MONO 4674638      /* 0x47544E, "GTN"; LADSPA's registry is gone */
#define ID_STEREO 4674639
#define MAX_CH 2
#define CHUNK 256            /* samples per gtcrn_process call: the input copy */
#define RAMP_MS 20.0f        /* mix / bypass changes glide over this, */
#define RAMP_CHUNK 16        /* in steps of this many samples */
#define ATTEN_NONE 100.0f    /* the attenuation control's top: no limit */
#define GATE_MAX 60.0f       /* the VAD gate control's top, dB */

enum {                       /* control ports, after the 2 * channels audio ports */
	C_MIX,
	C_ATTEN,
	C_BYPASS,
	C_LATENCY,
	C_GATE,                  /* last: the ports before it keep their numbers */
	N_CTL
};

typedef struct plugin {
	int channels;
	gtcrn_model *model;
	gtcrn_state *st[MAX_CH];
	gtcrn_vad_model *vad;
	gtcrn_gate *gate;        /* NULL: no VAD model */
	float gate_db;           /* the depth last given to the gate */
	const LADSPA_Data *in[MAX_CH];
	LADSPA_Data *out[MAX_CH];
	LADSPA_Data *ctl[N_CTL];
	float mix;               /* the wet fraction applied now */
	float ramp_step;         /* most mix may move per sample */
	float atten;             /* the attenuation control value last applied */
	float latency;
	int fresh;               /* a new stream: take the controls as they are, no glide */
	int failed;              /* gtcrn_process failed: output silence until activate() */
} plugin;

/* The controls' values as the library takes them. */
static float target_mix(const plugin *p)
{
	float m = *p->ctl[C_MIX];
	if (*p->ctl[C_BYPASS] > 0.5f)
		return 0.0f;
	return m >= 0.0f ? (m <= 1.0f ? m : 1.0f) : 0.0f;   /* NaN -> 0 too */
}

static float atten_db(float v)
{
	return v >= ATTEN_NONE ? -1.0f : v >= 0.0f ? v : 0.0f;   /* <0 = no limit */
}

static float gate_control_db(const float *port)
{
	float v = port ? *port : 0.0f;   /* a port left unconnected: off */
	return v >= 0.0f ? (v <= GATE_MAX ? v : GATE_MAX) : 0.0f;   /* NaN -> 0 too */
}

static void apply_controls(plugin *p, float mix)
{
	float a = *p->ctl[C_ATTEN];
	for (int c = 0; c < p->channels; c++) {
		gtcrn_set_mix(p->st[c], mix);
		if (a != p->atten)
			gtcrn_set_atten_limit(p->st[c], atten_db(a));
	}
	p->mix = mix;
	p->atten = a;
}

/* The VAD gate when a VAD model is there: named by $GTCRN_VAD_MODEL or
 * installed. Without one the gate control does nothing; one that is named
 * or installed but unusable gets a message, and the plugin runs without
 * the gate all the same (the enhancement is what the host asked for). */
static void gate_create(plugin *p, const LADSPA_Descriptor *d, unsigned long rate)
{
	const char *path = gtcrn_default_vad_model_path(), *env = getenv("GTCRN_VAD_MODEL");
	gtcrn_vad_opts vo;
	gtcrn_gate_opts go;
	char err[512];

	if (!(env && *env) && access(path, F_OK))
		return;
	if (gtcrn_vad_model_load(path, &p->vad, err, sizeof err)) {
		fprintf(stderr, "%s: cannot load the VAD model %s: %s\n"
		        "%s: running without the VAD gate; set GTCRN_VAD_MODEL to a Silero VAD "
		        "export for it\n", d->Label, path, err, d->Label);
		return;
	}
	gtcrn_vad_opts_init(&vo);
	vo.sample_rate = (int)rate;
	gtcrn_gate_opts_init(&go);
	go.depth_db = 0.0f;      /* off until the control says otherwise */
	if (gtcrn_gate_create(p->vad, &vo, &go, p->channels, &p->gate, err, sizeof err)) {
		fprintf(stderr, "%s: cannot run the VAD model %s at %lu Hz: %s; running without "
		        "the VAD gate\n", d->Label, path, rate, err);
		p->gate = NULL;
	}
}

static LADSPA_Handle instantiate(const LADSPA_Descriptor *d, unsigned long rate)
{
	const char *path = gtcrn_default_model_path();
	plugin *p = calloc(1, sizeof *p);
	char err[512];
	gtcrn_model_info info;
	gtcrn_opts o;
	int rc;

	if (!p)
		return NULL;
	if (rate < 1000 || rate > 768000) {   /* as gtcrn_state_create takes */
		fprintf(stderr, "%s: the host's sample rate %lu Hz is out of range 1000..768000\n",
		        d->Label, rate);
		free(p);
		return NULL;
	}
	p->channels = d->UniqueID == ID_STEREO ? 2 : 1;
	if ((rc = gtcrn_model_load(path, &p->model, err, sizeof err))) {
		fprintf(stderr, "%s: cannot load the GTCRN model %s: %s\n"
		        "%s: set GTCRN_MODEL to a GTCRN .onnx export, or install one as the "
		        "default with `make install-model MODEL=FILE`\n",
		        d->Label, path, err, d->Label);
		goto fail;
	}
	gtcrn_model_info_get(p->model, &info);
	if (info.kind != GTCRN_STREAMING) {   /* the library's message names gtcrn_enhance */
		fprintf(stderr, "%s: the GTCRN model %s is an offline export (it enhances whole "
		        "files at once); a plugin needs a streaming export\n"
		        "%s: set GTCRN_MODEL to a streaming export (such as gtcrn_simple.onnx), or "
		        "install one as the default with `make install-model MODEL=FILE`\n",
		        d->Label, path, d->Label);
		goto fail;
	}
	gtcrn_opts_init(&o);
	o.sample_rate = (int)rate;
	for (int c = 0; c < p->channels; c++)
		if ((rc = gtcrn_state_create(p->model, &o, &p->st[c], err, sizeof err))) {
			fprintf(stderr, "%s: cannot run the GTCRN model %s at %lu Hz: %s\n",
			        d->Label, path, rate, err);
			goto fail;
		}
	gate_create(p, d, rate);
	p->latency = (float)(gtcrn_latency(p->st[0]) + (p->gate ? gtcrn_gate_latency(p->gate) : 0));
	p->ramp_step = 1.0f / (RAMP_MS * 0.001f * (float)rate);
	p->mix = 1.0f;
	p->atten = -1.0f;        /* no limit: the state's default */
	p->fresh = 1;
	return p;
fail:
	for (int c = 0; c < MAX_CH; c++)
		gtcrn_state_free(p->st[c]);
	gtcrn_gate_free(p->gate);
	gtcrn_vad_model_free(p->vad);
	gtcrn_model_free(p->model);
	free(p);
	return NULL;
}

static void connect_port(LADSPA_Handle h, unsigned long port, LADSPA_Data *buf)
{
	plugin *p = h;
	unsigned long nch = (unsigned long)p->channels;

	if (port < nch)
		p->in[port] = buf;
	else if (port < 2 * nch)
		p->out[port - nch] = buf;
	else if (port - 2 * nch < N_CTL)
		p->ctl[port - 2 * nch] = buf;
}

/* A new stream: empty buffers and caches; the first run() takes the
 * controls as they are then (ports may be connected after activate()). */
static void activate(LADSPA_Handle h)
{
	plugin *p = h;

	for (int c = 0; c < p->channels; c++)
		gtcrn_reset(p->st[c]);
	if (p->gate)
		gtcrn_gate_reset(p->gate);
	p->failed = 0;
	p->fresh = 1;
	if (p->ctl[C_LATENCY])
		*p->ctl[C_LATENCY] = p->latency;
}

/* The gate over the k output samples of every channel from done, in place;
 * its depth from the control (0 under bypass). */
static void gate_chunk(plugin *p, unsigned long done, size_t k)
{
	float g[MAX_CH * CHUNK];
	float db = *p->ctl[C_BYPASS] > 0.5f ? 0.0f : gate_control_db(p->ctl[C_GATE]);
	const int C = p->channels;

	if (db != p->gate_db) {
		gtcrn_gate_set_depth(p->gate, db);
		p->gate_db = db;
	}
	for (int c = 0; c < C; c++)
		for (size_t i = 0; i < k; i++)
			g[i * (size_t)C + (size_t)c] = p->out[c][done + i];
	if (gtcrn_gate_process(p->gate, g, g, k)) {
		p->failed = 1;
		for (int c = 0; c < C; c++)
			memset(p->out[c] + done, 0, k * sizeof(float));
		return;
	}
	for (int c = 0; c < C; c++)
		for (size_t i = 0; i < k; i++)
			p->out[c][done + i] = g[i * (size_t)C + (size_t)c];
}

static void run(LADSPA_Handle h, unsigned long n)
{
	plugin *p = h;
	float x[MAX_CH][CHUNK];
	float want = target_mix(p);

	*p->ctl[C_LATENCY] = p->latency;
	if (p->fresh) {
		p->atten = NAN;          /* differs from any value: applied below */
		p->mix = want;
		p->fresh = 0;
	}
	for (unsigned long done = 0; done < n;) {
		size_t k = n - done < CHUNK ? n - done : CHUNK;
		float mix = p->mix;

		if (mix != want) {       /* glide: this chunk at the next step */
			float step;
			k = k < RAMP_CHUNK ? k : RAMP_CHUNK;
			step = p->ramp_step * (float)k;
			mix = fabsf(want - mix) <= step ? want : mix + (want > mix ? step : -step);
		}
		apply_controls(p, mix);
		/* Copy every input first: a host may hand one channel's output
		 * buffer as another's input. */
		for (int c = 0; c < p->channels; c++)
			memcpy(x[c], p->in[c] + done, k * sizeof(float));
		for (int c = 0; c < p->channels; c++) {
			if (!p->failed && gtcrn_process(p->st[c], x[c], p->out[c] + done, k))
				p->failed = 1;
			if (p->failed)
				memset(p->out[c] + done, 0, k * sizeof(float));
		}
		if (p->gate && !p->failed)
			gate_chunk(p, done, k);
		done += k;
	}
}

static void cleanup(LADSPA_Handle h)
{
	plugin *p = h;

	for (int c = 0; c < p->channels; c++)
		gtcrn_state_free(p->st[c]);
	gtcrn_gate_free(p->gate);
	gtcrn_vad_model_free(p->vad);
	gtcrn_model_free(p->model);
	free(p);
}

/* --- the descriptors --- */

#define AUDIO_IN (LADSPA_PORT_INPUT | LADSPA_PORT_AUDIO)
#define AUDIO_OUT (LADSPA_PORT_OUTPUT | LADSPA_PORT_AUDIO)
#define CTL_IN (LADSPA_PORT_INPUT | LADSPA_PORT_CONTROL)
#define CTL_OUT (LADSPA_PORT_OUTPUT | LADSPA_PORT_CONTROL)
#define BOUNDED (LADSPA_HINT_BOUNDED_BELOW | LADSPA_HINT_BOUNDED_ABOVE)

#define CONTROL_PORTS CTL_IN, CTL_IN, CTL_IN, CTL_OUT, CTL_IN
#define CONTROL_NAMES "Mix", "Attenuation limit (dB)", "Bypass", "latency", "VAD gate (dB)"
#define CONTROL_HINTS \
	{ BOUNDED | LADSPA_HINT_DEFAULT_1, 0.0f, 1.0f }, \
	{ BOUNDED | LADSPA_HINT_DEFAULT_MAXIMUM, 0.0f, ATTEN_NONE }, \
	{ LADSPA_HINT_TOGGLED | LADSPA_HINT_DEFAULT_0, 0.0f, 0.0f }, \
	{ LADSPA_HINT_INTEGER, 0.0f, 0.0f }, \
	{ BOUNDED | LADSPA_HINT_DEFAULT_MINIMUM, 0.0f, GATE_MAX }

static const LADSPA_PortDescriptor mono_ports[] = { AUDIO_IN, AUDIO_OUT, CONTROL_PORTS };
static const char *const mono_names[] = { "Input", "Output", CONTROL_NAMES };
static const LADSPA_PortRangeHint mono_hints[] = { { 0, 0, 0 }, { 0, 0, 0 }, CONTROL_HINTS };

static const LADSPA_PortDescriptor stereo_ports[] = {
	AUDIO_IN, AUDIO_IN, AUDIO_OUT, AUDIO_OUT, CONTROL_PORTS
};
static const char *const stereo_names[] = {
	"Input L", "Input R", "Output L", "Output R", CONTROL_NAMES
};
static const LADSPA_PortRangeHint stereo_hints[] = {
	{ 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 }, CONTROL_HINTS
};

#define DESCRIPTOR(id, label, name, ports, names, hints) { \
	.UniqueID = id, .Label = label, .Name = name, \
	.Properties = LADSPA_PROPERTY_HARD_RT_CAPABLE, \
	.Maker = "gtcrn-run (GTCRN: Xiaobin Rong et al., ICASSP 2024)", \
	.Copyright = "None", \
	.PortCount = sizeof(ports) / sizeof(ports[0]), \
	.PortDescriptors = ports, .PortNames = names, .PortRangeHints = hints, \
	.instantiate = instantiate, .connect_port = connect_port, .activate = activate, \
	.run = run, .cleanup = cleanup }

static const LADSPA_Descriptor descriptors[] = {
	DESCRIPTOR(ID_MONO, "gtcrn_mono", "GTCRN speech enhancement (mono)",
	           mono_ports, mono_names, mono_hints),
	DESCRIPTOR(ID_STEREO, "gtcrn_stereo", "GTCRN speech enhancement (stereo)",
	           stereo_ports, stereo_names, stereo_hints),
};

EXPORT const LADSPA_Descriptor *ladspa_descriptor(unsigned long i)
{
	return i < sizeof(descriptors) / sizeof(descriptors[0]) ? &descriptors[i] : NULL;
}
