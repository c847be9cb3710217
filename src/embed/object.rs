//! An object loaded for running: its maps created, its programs prepared.

use super::error::EmbedError;
use super::maps::{spec_of, MapRef};
use super::options::{EngineKind, Options};
use super::program::Program;
use super::verify::{inner_map_infos, map_info};
use ferrobpf_elf::{ProgramType, RelocationKind, SlotValue};
use ferrobpf_verifier::MapInfo;
use ferrobpf_vm::helpers::{Helper, HelperRegistry};
use ferrobpf_vm::insn::encode_program;
use ferrobpf_vm::interp::{Config, Vm};
use ferrobpf_vm::linux::context::ContextKind;
use ferrobpf_vm::linux::{prepare, HelperEnv, MapResolver, PrepareError};
use ferrobpf_vm::maps::{MapError, MapId, MapSpec, MapTable};
use ferrobpf_vm::program::{LoadError, Program as VmProgram};
use ferrobpf_vm::Insn;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One map of the object.
#[derive(Debug)]
pub(crate) struct MapSlot {
    /// Its name in the object.
    pub name: String,
    /// The created map, or why it could not be created.
    pub id: Result<MapId, MapError>,
}

/// Why a program of the object could not be loaded.
#[derive(Clone, Debug)]
pub(crate) enum LoadFailure {
    MapUnavailable { map: String, error: MapError },
    Prepare(PrepareError),
    Load(LoadError),
}

/// One program of the object.
#[derive(Debug)]
pub(crate) struct ProgramSlot {
    /// Function name.
    pub name: String,
    /// Section.
    pub section: String,
    /// Type (from the section name or the options).
    pub program_type: ProgramType,
    /// The context it takes.
    pub context: ContextKind,
    /// The prepared, loaded program.
    pub loaded: Result<Arc<VmProgram>, LoadFailure>,
    /// The instructions as the loader linked them (map references as
    /// `map_idx` / `map_idx_value`), which the verifier reads.
    pub linked: Arc<Vec<Insn>>,
}

impl ProgramSlot {
    /// The loaded program, or the error that kept it from loading.
    pub fn program(&self) -> Result<&Arc<VmProgram>, EmbedError> {
        self.loaded.as_ref().map_err(|f| {
            let program = self.name.clone();
            match f.clone() {
                LoadFailure::MapUnavailable { map, error } => EmbedError::MapUnavailable {
                    program,
                    map,
                    error,
                },
                LoadFailure::Prepare(error) => EmbedError::Prepare { program, error },
                LoadFailure::Load(error) => EmbedError::Load { program, error },
            }
        })
    }
}

/// Everything an object holds, shared by its handles.
#[derive(Debug)]
pub(crate) struct Inner {
    pub maps: Arc<MapTable>,
    pub map_slots: Vec<MapSlot>,
    pub helpers: HelperRegistry,
    pub vm: Arc<Vm>,
    pub programs: Vec<ProgramSlot>,
    pub budget: Option<u64>,
    pub engine: EngineKind,
    pub license: Option<String>,
    /// The maps as the verifier sees them, by the index `map_idx` names.
    pub map_infos: Vec<MapInfo>,
    /// The inner maps of maps of maps, by the outer map's index.
    pub inner_map_infos: BTreeMap<u32, MapInfo>,
    /// The host helpers, for the verifier's prototypes.
    pub host_helpers: Vec<(u32, Helper)>,
}

/// A BPF object ready to run: maps created (arrays zeroed, global data and
/// initial `values` stored), every program prepared and loaded. Cheap to clone
/// (a shared handle); `Send + Sync`, so threads may run its programs at once,
/// sharing its maps.
#[derive(Clone, Debug)]
pub struct Object {
    pub(crate) inner: Arc<Inner>,
}

/// The type of the program, with a host override.
fn program_type(options: &Options, p: &ferrobpf_elf::Program) -> ProgramType {
    options
        .program_types
        .get(&p.name)
        .or_else(|| options.program_types.get(&p.section))
        .copied()
        .unwrap_or(p.prog_type)
}

/// The context a program type takes.
pub(crate) fn context_kind(t: ProgramType) -> ContextKind {
    use ProgramType as T;
    match t {
        T::Xdp => ContextKind::Xdp,
        T::SocketFilter
        | T::SchedCls
        | T::SchedAct
        | T::CgroupSkb
        | T::LwtIn
        | T::LwtOut
        | T::LwtXmit
        | T::SkSkb => ContextKind::Skb,
        _ => ContextKind::Blob,
    }
}

impl Object {
    /// Loads an ELF object with the default [`Options`].
    pub fn from_elf(bytes: &[u8]) -> Result<Object, EmbedError> {
        Object::load(bytes, Options::default())
    }

    /// Loads an ELF object. Maps that cannot be created do not stop the load:
    /// the programs that use them fail to load, with the reason. Programs that
    /// fail to load are reported when asked for ([`Object::program`]).
    pub fn load(bytes: &[u8], options: Options) -> Result<Object, EmbedError> {
        let elf = ferrobpf_elf::Object::parse(bytes)?;
        let maps = Arc::new(MapTable::new(options.cpus));
        let mut budget = options.max_map_memory;
        let map_slots: Vec<MapSlot> = elf
            .maps()
            .iter()
            .map(|def| MapSlot {
                name: def.name.clone(),
                id: create(&maps, def, options.cpus, &mut budget),
            })
            .collect();
        let ids: Vec<MapId> = map_slots
            .iter()
            .map(|s| s.id.clone().unwrap_or(MapId(u32::MAX)))
            .collect();
        let env = Arc::new(HelperEnv::new(maps.clone(), options.hooks.clone()));
        let mut helpers = ferrobpf_vm::linux::registry(&env);
        for (id, h) in &options.helpers {
            helpers.register(*id, h.clone());
        }
        let programs: Vec<ProgramSlot> = elf
            .programs()
            .iter()
            .map(|p| {
                let t = program_type(&options, p);
                let context = context_kind(t);
                ProgramSlot {
                    name: p.name.clone(),
                    section: p.section.clone(),
                    program_type: t,
                    context,
                    loaded: load_program(p, context, &helpers, &maps, &map_slots, &ids),
                    linked: Arc::new(p.insns.clone()),
                }
            })
            .collect();
        store_initial_slots(&elf, &maps, &map_slots, &ids, &programs)?;
        let config = Config {
            instruction_budget: options.budget,
            ..Config::default()
        };
        let vm = Arc::new(Vm::with_helpers(config, helpers.clone()));
        Ok(Object {
            inner: Arc::new(Inner {
                maps,
                map_slots,
                helpers,
                vm,
                programs,
                budget: options.budget,
                engine: options.engine,
                license: elf.license().map(str::to_string),
                map_infos: elf.maps().iter().map(map_info).collect(),
                inner_map_infos: inner_map_infos(elf.maps()),
                host_helpers: options.helpers.into_iter().collect(),
            }),
        })
    }

    /// The program with this function name, else the first in a section of
    /// this name.
    pub fn program(&self, name: &str) -> Result<Program, EmbedError> {
        let slots = &self.inner.programs;
        let index = slots
            .iter()
            .position(|p| p.name == name)
            .or_else(|| slots.iter().position(|p| p.section == name))
            .ok_or_else(|| EmbedError::NoSuchProgram(name.to_string()))?;
        Program::new(self.clone(), index)
    }

    /// The first program that loaded, if any.
    pub fn first_program(&self) -> Result<Program, EmbedError> {
        let index = self
            .inner
            .programs
            .iter()
            .position(|p| p.loaded.is_ok())
            .or(if self.inner.programs.is_empty() {
                None
            } else {
                Some(0)
            })
            .ok_or_else(|| EmbedError::NoSuchProgram(String::new()))?;
        Program::new(self.clone(), index)
    }

    /// Every program: (function name, section, type, whether it loaded).
    pub fn programs(&self) -> Vec<(String, String, ProgramType, Result<(), EmbedError>)> {
        self.inner
            .programs
            .iter()
            .map(|p| {
                let status = p.program().map(|_| ());
                (p.name.clone(), p.section.clone(), p.program_type, status)
            })
            .collect()
    }

    /// The map with this name.
    pub fn map(&self, name: &str) -> Result<MapRef, EmbedError> {
        let slot = self
            .inner
            .map_slots
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| EmbedError::NoSuchMap(name.to_string()))?;
        let id = slot.id.clone().map_err(|error| EmbedError::Map {
            map: name.to_string(),
            error,
        })?;
        MapRef::new(self.clone(), id, name.to_string())
    }

    /// Every map of the object: its name and the map, or why it could not be
    /// created.
    pub fn maps(&self) -> Vec<(String, Result<MapRef, EmbedError>)> {
        self.inner
            .map_slots
            .iter()
            .map(|s| (s.name.clone(), self.map(&s.name)))
            .collect()
    }

    /// Creates a map beside the object's (e.g. an inner map to store in a map of
    /// maps), named `name` for reports.
    pub fn create_map(&self, name: &str, spec: MapSpec) -> Result<MapRef, EmbedError> {
        let id = self
            .inner
            .maps
            .create(spec)
            .map_err(|error| EmbedError::Map {
                map: name.to_string(),
                error,
            })?;
        MapRef::new(self.clone(), id, name.to_string())
    }

    /// The table of every map, as programs' handles name them.
    pub fn map_table(&self) -> &Arc<MapTable> {
        &self.inner.maps
    }

    /// The `license` section's string.
    pub fn license(&self) -> Option<&str> {
        self.inner.license.as_deref()
    }
}

/// Creates one map of the object, within what is left of the memory `budget`,
/// and stores its initial data.
fn create(
    maps: &MapTable,
    def: &ferrobpf_elf::MapDef,
    cpus: u32,
    budget: &mut u64,
) -> Result<MapId, MapError> {
    let spec = spec_of(def, cpus)?;
    let memory = spec.memory(cpus);
    if memory > *budget {
        return Err(MapError::InvalidSpec(format!(
            "{memory} bytes of storage, over the {budget} bytes left of the object's limit"
        )));
    }
    *budget -= memory;
    let value_size = spec.value_size as usize;
    let id = maps.create(spec)?;
    if let (Some(data), Some(map)) = (&def.data, maps.get(id)) {
        let mut value = data.clone();
        value.resize(value_size, 0);
        map.update(&0u32.to_le_bytes(), &value, 0)?;
    }
    Ok(id)
}

/// Prepares and loads one program.
fn load_program(
    p: &ferrobpf_elf::Program,
    context: ContextKind,
    helpers: &HelperRegistry,
    maps: &MapTable,
    slots: &[MapSlot],
    ids: &[MapId],
) -> Result<Arc<VmProgram>, LoadFailure> {
    for r in &p.relocations {
        let (RelocationKind::Map { map } | RelocationKind::MapValue { map, .. }) = r.kind else {
            continue;
        };
        if let Some(MapSlot {
            name,
            id: Err(error),
        }) = slots.get(map)
        {
            return Err(LoadFailure::MapUnavailable {
                map: name.clone(),
                error: error.clone(),
            });
        }
    }
    let prepared = prepare(&p.insns, context.rewrites(), helpers).map_err(LoadFailure::Prepare)?;
    let mut resolver = MapResolver { maps, ids };
    VmProgram::with_resolver(&encode_program(&prepared), &mut resolver)
        .map(Arc::new)
        .map_err(LoadFailure::Load)
}

/// Stores the maps and programs the object's BTF `values` name.
fn store_initial_slots(
    elf: &ferrobpf_elf::Object,
    maps: &MapTable,
    slots: &[MapSlot],
    ids: &[MapId],
    programs: &[ProgramSlot],
) -> Result<(), EmbedError> {
    for (def, slot) in elf.maps().iter().zip(slots) {
        let Ok(outer) = slot.id else {
            continue;
        };
        for (key, value) in &def.initial_slots {
            let key = key.to_le_bytes();
            let stored = match value {
                SlotValue::Map(i) => match ids.get(*i) {
                    Some(&inner) => maps.set_inner(outer, &key, inner, 0),
                    None => Err(MapError::Incompatible(format!("no map {i}"))),
                },
                SlotValue::Program(name) => match programs.iter().position(|p| &p.name == name) {
                    Some(index) => maps.update(outer, &key, &(index as u32).to_le_bytes(), 0),
                    None => Err(MapError::Incompatible(format!("no program {name:?}"))),
                },
            };
            stored.map_err(|error| EmbedError::Map {
                map: def.name.clone(),
                error,
            })?;
        }
    }
    Ok(())
}
